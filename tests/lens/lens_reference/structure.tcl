# Changing a network's structure after it is built: disconnectUnits (the link's block cut in two,
# -type), deleteLinks (-type, then everything) and connecting again, orderGroups (a group put
# before the group it reads from: Lens then reads that group's previous output, the initOutput
# on an example's first tick; noise drawn in the new order on a CONTINUOUS network), and
# changeGroupType (Lens's printed type lists; a function or error replaced, noise added, a
# toggle of a type already removed, a criterion; on a CONTINUOUS network the new function goes
# after the integrator, as in Lens). Training and test after each.
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
source nets.tcl
buildEnc8
loadWeights enc8.init.wt
loadExamples enc8.ex -s e8
puts "A [disconnectUnits input:3 hidden:1] [disconnectUnits input:0 hidden:2] [disconnectUnits input:7 hidden:0 -type input]"
puts "A [disconnectUnits input:3 hidden:1] [disconnectUnits hidden:2 output:5 -type hidden]"
puts "N [getObj numLinks] [getObj hidden.unit(1).numIncoming] [getObj output.unit(5).numIncoming]"
setObj learningRate 0.5
setObj reportInterval 5
train 5 -algorithm steepest
printDeltas
test
puts "Y $Test(totalError)"
deleteLinks -type bias
puts "N [getObj numLinks] [getObj output.unit(0).numIncoming]"
train 2
test
puts "Y $Test(totalError)"
deleteLinks
puts "N [getObj numLinks]"
seed 17
connectGroups input hidden output
connectGroups bias output
train 3
printWeights
test
puts "Y $Test(totalError)"

seed 3
addNet og
addGroup in 4 INPUT
addGroup hid 3
addGroup out 4 OUTPUT
connectGroups in hid out
orderGroups bias in out
puts "G [getObj group(0).name] [getObj group(1).name] [getObj group(2).name] [getObj group(3).name]"
loadExamples enc4.ex -s e4
test
puts "Y $Test(totalError) $Test(numTicks)"
printUnits {hid out} {output input}
setObj learningRate 0.3
train 3 -algorithm momentum
printDeltas
printUnits {hid out} {output outputDeriv inputDeriv}
orderGroups bias in hid out
test
puts "Y $Test(totalError) $Test(numTicks)"

seed 5
addNet ct -i 2 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup h1 3 OUT_NOISE
addGroup h2 3 IN_NOISE
addGroup out 3 OUTPUT
connectGroups in h1 out
connectGroups in h2 out
orderGroups bias out h2
puts "G [getObj group(0).name] [getObj group(1).name] [getObj group(2).name] [getObj group(3).name] [getObj group(4).name]"
loadExamples ct.ex -s cts
seed 9
setObj testGroupCrit 0
test
puts "Y $Test(totalError) $Test(numTicks)"
train 2
printDeltas

seed 11
addNet ff 4 3 4
loadExamples enc4.ex -s e4b
puts "T [changeGroupType hidden]"
puts "T [changeGroupType hidden -LOGISTIC +TANH]"
puts "T [changeGroupType hidden LOGISTIC]"
puts "T [changeGroupType output -CROSS_ENTROPY +SUM_SQUARED MAX_CRIT]"
puts "T [changeGroupType {hidden output} +OUT_NOISE]"
puts "I [getObj hidden.initOutput]"
noiseType hidden -range 0.2
seed 13
test
puts "Y $Test(totalError) $Test(examplesCorrect)"
setObj learningRate 0.2
train 3 -algorithm steepest
printDeltas
puts "T [changeGroupType output -OUT_NOISE -MAX_CRIT]"
puts "T [changeGroupType hidden OUT_NOISE]"
test
puts "Y $Test(totalError) $Test(examplesCorrect)"
printUnits {hidden output} {output input outputDeriv}

seed 21
addNet cc -i 2 -t 3 CONTINUOUS 3 4 3
loadExamples ct.ex -s cc
puts "T [changeGroupType hidden -LOGISTIC +TANH]"
puts "T [changeGroupType output -OUT_INTEGR +IN_INTEGR]"
setObj testGroupCrit 0
test
puts "Y $Test(totalError) $Test(numTicks)"
train 2
printDeltas
printUnits {hidden output} {output input outputDeriv inputDeriv}
exit
