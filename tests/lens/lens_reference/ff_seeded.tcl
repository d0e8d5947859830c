# No weight file: Lens's own random numbers from a seed (drand48 / random()),
# a RANDOM projection, a frozen ONE_TO_ONE projection, PERMUTED online training.
source common.tcl
seed 1234
addNet seeded
addGroup input 2 INPUT
addGroup hidden 4
addGroup output 1 OUTPUT
connectGroups input hidden -projection RANDOM -strength 0.6
connectGroups hidden output
connectGroups input output -projection ONE_TO_ONE
printWeights
loadExamples xor.ex
exampleSetMode xor PERMUTED
setObj batchSize 1
setObj reportInterval 10
train 40
trainSteps 2 10
printWeights
printOutputs xor output
puts "S [getSeed] [rand] [randInt 100] [rand -2 3]"
resetNet
printWeights
seed 77
addNet short 2 3 1
printWeights
exit
