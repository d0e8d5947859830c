# Odds and ends of Lens's commands on a seeded network: addNet's group names,
# two output groups, -BIASED, criteria and stopping, doExample, updateWeights,
# RANDOMIZED / PROBABILISTIC example order, object paths.
source common.tcl
seed 2024
addNet multi 4 3 3 2
puts "N [getObj numGroups] [getObj group(2).name] [getObj group(3).name] [getObj numLinks]"
addGroup side 2 OUTPUT SUM_SQUARED STANDARD_CRIT -BIASED
connectGroups hidden2 side
puts "N [getObj numLinks] [getObj side.unit(1).numIncoming] [getObj hidden.unit(0).numIncoming]"
puts "P [getObj output(3).name] [getObj input(1).name] [getObj group(1).unit(2).name] [path -group side] [path -unit side:1]"
loadExamples multi.ex -s m
puts "X [getObj m.numExamples] [getObj m.example(2).name] [getObj m.example(2).frequency] [getObj m.currentExampleNum]"
setObj learningRate 0.3
setObj momentum 0.5
setObj batchSize 2
setObj reportInterval 3
setObj trainGroupCrit 0.45
train 7
doExample
puts "C [getObj currentExample.name] [getObj m.currentExampleNum] [getObj error] [getObj side.error]"
doExample 3
puts "C [getObj currentExample.name] [getObj m.currentExampleNum] [getObj error]"
foreach f {output target externalInput input} {
    puts "U side:0.$f [getObj side:0.$f] [getObj input:1.$f]"
}
test
puts "T [getObj error] [getObj side.error] [getObj output.error] $Test(numExamples) $Test(totalError) $Test(percentCorrect)"
setObj testGroupCrit 0.6
test
puts "T $Test(examplesCorrect)"
train 3
updateWeights -report
puts "E [getObj totalUpdates] [getObj error] [getObj weightCost] [getObj gradientLinearity]"
exampleSetMode m RANDOMIZED
setObj batchSize 3
setObj numUpdates 4
train -algorithm steepest
puts "E [getObj totalUpdates] [getObj error] [getObj m.currentExampleNum]"
exampleSetMode m PROBABILISTIC
train 4
puts "E [getObj totalUpdates] [getObj error] [getObj m.currentExampleNum]"
exampleSetMode m ORDERED
setObj criterion 3.0
setObj batchSize 0
setObj minCritBatches 2
set r [split [train 50] "\n"]
puts "R [lindex $r 0] | [lindex $r 1]"
puts "E [getObj totalUpdates] [getObj error]"
printWeights
exit
