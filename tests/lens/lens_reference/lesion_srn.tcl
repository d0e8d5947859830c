# Lesions elsewhere: a SOFT_MAX output group (MAX_CRIT, testing set) with a lesioned output,
# hidden and input unit, trained with dougsMomentum and deltaBarDelta; then a simple recurrent
# network (srn_start.wt) with lesioned hidden and context units and deleted context links.
source common.tcl
source nets.tcl

proc printUnits {groups} {
    foreach g $groups {
        foreach f {output input outputDeriv inputDeriv target externalInput} {
            set line "U $g $f"
            for {set u 0} {$u < [getObj $g.numUnits]} {incr u} { append line " [getObj $g.unit($u).$f]" }
            puts $line
        }
    }
}

buildCls
loadWeights cls.init.wt
loadExamples cls.ex -s train
loadExamples cls_test.ex -s testset
useTestingSet testset
setObj learningRate 0.05
setObj batchSize 4
setObj reportInterval 5
dougsMomentum 5
seed 77
lesionUnits {output:1 input:2}
lesionUnits hidden 0.4
printUnits {input hidden output}
test
puts "T [getObj error] $Test(percentCorrect)"
printOutputs train output
dougsMomentum 10
printDeltas
printUnits {input hidden output}
deltaBarDelta 6
printDeltas
test
puts "T [getObj error] $Test(percentCorrect)"
printOutputs testset output

addNet srn -i 5 3 4 3
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
loadWeights srn_start.wt
loadExamples srn.ex -s seqs
setObj learningRate 0.2
setObj reportInterval 2
train 1 -algorithm steepest
seed 3
lesionUnits {context:1 hidden:2}
puts "R <[lesionLinks hidden -proportion 0.3 -type context]>"
puts "N [getObj numLinks]"
train 3 -algorithm steepest
printDeltas
printUnits {input context hidden output}
test
puts "T [getObj error] $Test(numTicks) $Test(percentCorrect)"
setObj batchSize 2
train 4 -algorithm momentum
printWeights
exit
