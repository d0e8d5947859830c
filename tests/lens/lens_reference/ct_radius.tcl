# targetRadius, zeroErrorRadius and groupCritRequired on CONTINUOUS networks (the attractor of
# ct_train.tcl, weights ct.init.wt; a second output group, SUM_SQUARED, with its own radii), and
# groupCritRequired on a simple recurrent network: each tick's error and derivative taken
# against Lens's adjusted target, an example ending at the first event that misses the
# criteria; test, Doug's momentum with trainGroupCrit, steepest; adjusted targets, unit state,
# weights.
source common.tcl
source nets.tcl
proc printUnits {groups fields} {
    foreach g $groups {
        foreach f $fields {
            set line "U $g $f"
            for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {
                append line " [getObj $g.unit($u).$f]"
            }
            puts $line
        }
    }
}

buildCt
loadWeights ct.init.wt
loadExamples ct.ex -s ctset
setObj targetRadius 0.15
test
puts "T [getObj error] $Test(numTicks) $Test(examplesCorrect)"
printUnits {out} {output target adjustedTarget}
setObj zeroErrorRadius 0.3
setObj testGroupCrit 0
test
puts "T [getObj error] $Test(numTicks)"
printUnits {out} {output target adjustedTarget}
setObj learningRate 0.3
setObj batchSize 2
setObj reportInterval 2
setObj trainGroupCrit 0.2
train 4
printDeltas
printUnits {hid out} {output input outputDeriv inputDeriv adjustedTarget}
setObj targetRadius 0
setObj zeroErrorRadius 0
setObj out.targetRadius 0.05
setObj trainGroupCrit 0
setObj batchSize 0
train 3 -algorithm steepest
printDeltas
setObj groupCritRequired 1
setObj testGroupCrit 0.3
test
puts "R [getObj error] $Test(numTicks) $Test(examplesCorrect)"
foreach n {0 1 2} {
    doExample $n
    puts "R $n [getObj error] [getObj out.unit(0).output] [getObj in.unit(0).externalInput] [getObj out.unit(1).target]"
}
setObj trainGroupCrit 0.4
train 3
printDeltas
test
puts "R [getObj error] $Test(numTicks) $Test(examplesCorrect)"
printWeights

seed 41
addNet ct2 -i 3 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4
addGroup out 3 OUTPUT
addGroup out2 2 OUTPUT SUM_SQUARED
connectGroups in hid
connectGroups hid out
connectGroups hid out2
setObj out.zeroErrorRadius 0.1
setObj out2.targetRadius 0.2
loadExamples ct_two_outputs.ex -s two
test
puts "T [getObj error] [getObj out.error] [getObj out2.error]"
train 3
printDeltas
printUnits {out out2} {output target adjustedTarget outputDeriv}

addNet srn -i 5 3 4 3 STANDARD_CRIT
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
loadWeights srn_start.wt
loadExamples srn.ex -s seqs
setObj groupCritRequired 1
setObj testGroupCrit 0.6
test
puts "S [getObj error] $Test(numTicks) $Test(examplesCorrect)"
setObj trainGroupCrit 0.7
setObj learningRate 0.2
train 3 -algorithm steepest
printDeltas
test
puts "S [getObj error] $Test(numTicks) $Test(examplesCorrect)"
exit
