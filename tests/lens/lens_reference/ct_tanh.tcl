# A CONTINUOUS network with TANH groups: a self-recurrent TANH hidden group with
# gain 1.5 (OUT_INTEGR by default), a TANH group with IN_INTEGR in a cycle with
# the output (-bidirectional), a LINEAR hidden group, and TANH outputs with
# SUM_SQUARED (seeded weights). Lens starts a TANH or LINEAR group at its own
# initOutput, 0 (the type's cleanup sets it), not at the network's 0.5, and takes
# TANH's derivative at each tick's net input. Run forward (doExample, test with
# and without the criterion), then trained: Doug's momentum in batches of two
# with trainGroupCrit, then steepest; link derivatives, weight changes, the units'
# state and the weights are printed.
source common.tcl
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
seed 7
addNet ctt -i 3 -t 4 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4 TANH
addGroup h2 3 TANH IN_INTEGR
addGroup lin 2 LINEAR
addGroup out 2 OUTPUT TANH SUM_SQUARED
connectGroups in hid
connectGroups hid hid
connectGroups hid out
connectGroups in h2
connectGroups h2 out -bidirectional
connectGroups in lin out
setObj hid.gain 1.5
puts "I [getObj hid.initOutput] [getObj h2.initOutput] [getObj lin.initOutput] [getObj out.initOutput] [getObj in.initOutput]"
printWeights
loadExamples ct_tanh.ex -s set
setObj testGroupCrit 0.0
printOutputs set {hid h2 lin out}
test
puts "Y $Test(totalError) $Test(numTicks)"
printUnits {in hid h2 lin out} {output input}
setObj testGroupCrit 0.3
test
puts "Z $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
setObj learningRate 0.2
setObj batchSize 2
setObj trainGroupCrit 0.25
trainSteps 3 4
printDeltas
printUnits {in hid h2 lin out} {output input outputDeriv inputDeriv}
setObj trainGroupCrit 0.0
setObj batchSize 0
setObj learningRate 0.05
train 4 -algorithm steepest
puts "E [getObj totalUpdates] [getObj error]"
printDeltas
printWeights
setObj testGroupCrit 0.0
test
puts "Y $Test(totalError) $Test(numTicks)"
exit
