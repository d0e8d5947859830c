# More options on a seeded network: -mode APPEND / REPLACE, gain, doExample -train,
# test on part of a set and -noreset, randWeights, freeze/thaw, a unit's block learning rate.
source common.tcl
seed 99
addNet g 4 3 2
addGroup side 2 OUTPUT
connectGroups hidden side
loadExamples multi.ex -s m
loadExamples multi.ex -s m -mode APPEND
puts "X [getObj m.numExamples]"
deleteExampleSets m
loadExamples multi.ex -s m
loadExamples multi.ex -s m -mode REPLACE
useTrainingSet m
setObj hidden.gain 2.0
setObj output.gain 0.5
setObj batchSize 2
train 5 -report 5
doExample 2 -train
foreach f {outputDeriv inputDeriv} { puts "U $f [getObj output.unit(0).$f] [getObj hidden.unit(1).$f] [getObj input.unit(0).$f]" }
test 2
puts "T [getObj error] [getObj m.currentExampleNum]"
test 2 -noreset
puts "T [getObj error] [getObj m.currentExampleNum]"
randWeights -group hidden -range 0.3
printWeights
freezeWeights -group output
train 3 -report 0
thawWeights -group output
setObj output.unit(1).block(1).learningRate 2.0
train 3 -report 0
printWeights
puts "V [getObj .learningRate]"
exit
