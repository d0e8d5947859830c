# Lens's less common group types in a simple recurrent network (SRBPTT, sequences cut at 5
# ticks): an Elman context of a LOGISTIC OUT_NORM hidden group, a radial-basis layer (DISTANCE,
# GAUSSIAN), COSINE outputs; then a lesioned radial-basis unit and OUT_NOISE after OUT_NORM
# (changeGroupType), and doExample -train. Also doExample -train on the plain Elman network.
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
proc printAll {groups} {printUnits $groups {output input outputDeriv inputDeriv}}

seed 12
addNet el -i 5
addGroup in 3 INPUT
addGroup ctx 4 ELMAN
addGroup hid 4 OUT_NORM
addGroup rb 3 DISTANCE GAUSSIAN
addGroup out 3 OUTPUT COSINE
elmanConnect hid ctx
setObj rb.gain 0.4
connectGroups in hid
connectGroups ctx hid
connectGroups hid rb out
connectGroups in out
loadExamples srn.ex -s seqs
setObj learningRate 0.3
setObj reportInterval 3
train 3 -algorithm steepest
printDeltas
printAll {ctx hid rb out}
setObj batchSize 2
train 4 -algorithm dougsMomentum
printDeltas
test
puts "T [getObj error] $Test(numTicks)"
printAll {ctx hid rb out}
printOutputs seqs {hid out}
seed 13
lesionUnits rb:1
changeGroupType hid +OUT_NOISE
setObj hid.noiseRange 0.05
train 3
printDeltas
test
puts "T [getObj error] $Test(numTicks)"
doExample 3 -train
printAll {ctx hid rb out}
doExample 0
printAll {ctx hid rb out}
doExample 0 -test
printWeights

addNet srn -i 5 3 4 3
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
loadWeights srn_start.wt
loadExamples srn.ex -s seqs2
doExample 3 -train
printAll {context hidden output}
doExample 1
printAll {context hidden output}
exit
