# Lens's example, event and tick procedures and example-file proc: fields (procs.ex: the set's
# proc at loading, examples' procs changing a group's gain, events' procs changing a target or an
# input) on the simple recurrent network of srn_train.tcl (weights srn_start.wt): what the
# procedures see (currentTick, ticksOnExample, unit state, the error so far) and what their
# changes do (an input set before a tick, a target after an event is loaded, an output derivative
# before the backward pass), in training, test and doExample.
source common.tcl
addNet srn -i 5 3 4 3
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
loadWeights srn_start.wt
loadExamples procs.ex -s seqs
puts "S $setProcRan"
proc units {tag g f} {
    set line "$tag $g $f"
    for {set u 0} {$u < [getObj $g.numUnits]} {incr u} { append line " [getObj $g.unit($u).$f]" }
    puts $line
}
setObj preExampleProc {puts "PX [getObj currentExample.name] [getObj error]"}
setObj preEventProc {units PV output target}
setObj preTickProc {
    puts "PT [getObj currentTick]"
    if {[getObj currentTick] == 2} { setObj input.unit(2).externalInput 0.75 }
}
setObj postTickProc {units QT hidden output; units QT output output}
setObj postEventProc {puts "QV [getObj currentTick] [getObj error] [getObj output.error]"}
setObj preExampleBackProc {
    units XB output outputDeriv
    setObj output.unit(1).outputDeriv [expr {2 * [getObj output.unit(1).outputDeriv]}]
    puts "XB [getObj ticksOnExample] [getObj currentTick]"
}
setObj postExampleProc {puts "QX [getObj ticksOnExample] [getObj currentTick] [getObj error]"}
setObj learningRate 0.2
train 1 -algorithm steepest
printDeltas
foreach g {input context hidden output} {
    foreach f {output input outputDeriv inputDeriv} { units U $g $f }
}
setObj batchSize 2
train 2 -algorithm momentum
test
puts "T [getObj error] $Test(numTicks) $Test(percentCorrect)"
doExample 1
units D output output
setObj preTickProc {}
setObj preExampleBackProc {}
train 2 -algorithm steepest
printWeights
exit
