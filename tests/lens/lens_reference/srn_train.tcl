# A simple recurrent network (addGroup ... ELMAN, elmanConnect; the context group after the
# hidden group in the group order), weights from srn_start.wt, trained through time on sequences
# of one to six events (srn.ex; -i 5 cuts the last one); derivatives, unit state, test, weights.
source common.tcl
addNet srn -i 5 3 4 3
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
loadWeights srn_start.wt
loadExamples srn.ex -s seqs
setObj learningRate 0.2
setObj momentum 0.9
setObj reportInterval 2
train 1 -algorithm steepest
printDeltas
foreach g {input context hidden output} {
    foreach f {output input outputDeriv inputDeriv} {
        set line "U $g $f"
        for {set u 0} {$u < [getObj $g.numUnits]} {incr u} { append line " [getObj $g.unit($u).$f]" }
        puts $line
    }
}
puts "B [getObj bias.unit(0).outputDeriv]"
train 5
test
puts "T [getObj error] $Test(numExamples) $Test(numTicks) $Test(percentCorrect)"
setObj batchSize 2
train 4 -algorithm momentum
printWeights
exit
