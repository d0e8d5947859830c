# Lens's example, event and tick procedures on the CONTINUOUS attractor of ct_train.tcl (weights
# ct.init.wt) with example-file procs (ct_procs.ex: examples' procs changing the hidden group's
# dtScale, an event's proc setting a target and an input): currentTick, the units each tick, the
# error as events end, an input changed before a tick, the output derivatives before the backward
# pass; test, trainGroupCrit ending events, Doug's momentum, steepest, doExample.
source common.tcl
source nets.tcl
buildCt
loadWeights ct.init.wt
loadExamples ct_procs.ex -s ctp
proc units {tag g f} {
    set line "$tag $g $f"
    for {set u 0} {$u < [getObj $g.numUnits]} {incr u} { append line " [getObj $g.unit($u).$f]" }
    puts $line
}
setObj preExampleProc {puts "PX [getObj currentExample.name] [getObj currentTick] [getObj error]"}
setObj preEventProc {units PV out target; units PV in externalInput}
setObj preTickProc {
    if {[getObj currentTick] == 3} { setObj in.unit(0).externalInput 0.6 }
}
setObj postTickProc {puts "QT [getObj currentTick]"; units QT hid output; units QT out output}
setObj postEventProc {puts "QV [getObj currentTick] [getObj error]"}
setObj preExampleBackProc {units XB out outputDeriv; puts "XB [getObj ticksOnExample] [getObj currentTick]"}
setObj postExampleProc {puts "QX [getObj ticksOnExample] [getObj currentTick] [getObj error]"}
test
puts "T [getObj error] $Test(numTicks) $Test(percentCorrect)"
setObj learningRate 0.3
setObj batchSize 2
setObj trainGroupCrit 0.2
train 2
printDeltas
foreach g {in hid out} {
    foreach f {output input outputDeriv inputDeriv} { units U $g $f }
}
setObj postTickProc {}
setObj trainGroupCrit 0.0
setObj batchSize 0
train 3 -algorithm steepest
doExample 2
units D out output
printWeights
exit
