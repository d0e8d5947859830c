# A CONTINUOUS attractor network run forward: integrated outputs, a
# self-recurrent hidden group, a bidirectional hidden <-> output connection,
# events with their own max/min/grace times (ct.ex), maxTicks cutting an
# example, and Lens's default per-event criterion (STANDARD_CRIT, testGroupCrit
# 0.5) ending events early in `test`.  (Training: ct_train.tcl.)
source common.tcl
seed 21
addNet ct -i 4 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4
addGroup out 3 OUTPUT
connectGroups in hid
connectGroups hid hid
connectGroups hid out -bidirectional
printWeights
loadExamples ct.ex -s ctset
puts "T [getObj timeIntervals] [getObj ticksPerInterval] [getObj maxTicks] [getObj dt]"
foreach n {1 2 3} {
    test $n
    puts "X $n $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
}
setObj testGroupCrit 0.0
test
puts "Y $Test(totalError) $Test(numTicks) [getObj error]"
setObj testGroupCrit 0.5
for {set i 0} {$i < 3} {incr i} {
    test 1
    puts "Z $i [getObj error] [getObj out.output(0)] [getObj out.output(1)] [getObj hid.unit(2).output] [getObj hid.unit(2).input]"
}
setTime -intervals 2
test
puts "M [getObj maxTicks] $Test(totalError) $Test(numTicks)"
exit
