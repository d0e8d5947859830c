# addNet's ELMAN shorthand (the context group before the hidden one), seeded weights, targetRadius,
# Doug's momentum in batches of 3; then a plain network on multi-event examples (no context).
source common.tcl
seed 5
addNet sr -i 4 3 4 ELMAN 3
puts "G [getObj numGroups] [getObj group(2).name] [getObj group(3).name] [getObj hidden.numIncoming] [getObj hidden.unit(0).numIncoming]"
loadExamples srn.ex -s seqs
setObj hidden.initOutput 0.2
setObj targetRadius 0.05
setObj batchSize 3
setObj reportInterval 3
train 6
printDeltas
test
puts "T [getObj error] $Test(numTicks) $Test(percentCorrect)"
printOutputs seqs {output}
foreach g {context hidden output} {
    puts "U $g [getObj $g.unit(0).output] [getObj $g.unit(1).output] [getObj $g.unit(0).input] [getObj $g.unit(0).target]"
}
addNet plain -i 3 3 5 3 STANDARD_CRIT
loadExamples srn.ex -s seqs2
setObj batchSize 0
train 3 -algorithm steepest
test
puts "P [getObj error] $Test(numTicks)"
setObj testGroupCrit 0.7
test
puts "C $Test(examplesCorrect)"
printWeights
exit
