# KOHONEN maps: DISTANCE inputs, the winner's neighbourhood on a grid of numColumns columns (a
# torus with periodicBoundary), Doug's momentum, momentum and steepest descent; an OUTPUT group
# without an error (its CROSS_ENTROPY removed); with and without the bias.
source common.tcl

proc printMap {g} {
    set line "M $g [getObj $g.neighborhood] [getObj $g.periodicBoundary] [getObj $g.numColumns]"
    for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {
        append line " [getObj $g:$u.output] [getObj $g:$u.input] [getObj $g:$u.inputDeriv]"
    }
    puts $line
}

# --- a 4 x 3 map without the bias, PERMUTED order, batches of 4
seed 11
addNet koh
deleteGroups bias
addGroup in 3 INPUT
addGroup map 12 DISTANCE KOHONEN
connectGroups in map
addGroup junk 2 OUTPUT -CROSS_ENTROPY
setObj map.numColumns 4
setObj randMean 0.5
setObj randRange 0.5
setObj batchSize 4
setObj momentum 0.0
setObj learningRate 0.2
setObj reportInterval 1
resetNet
loadExamples koh.ex -s kset -e PERMUTED
printWeights
printMap map
setObj map.neighborhood 1.5
trainSteps 3 1
printWeights
printDeltas
printMap map
setObj map.neighborhood 1
setObj map.periodicBoundary 1
trainSteps 2 2
printWeights
printMap map
test
puts "T [getObj error] $::Test(numTicks)"
printOutputs kset {map}
printMap map
setObj map.neighborhood 0.5
momentum 3
printWeights
printDeltas
doExample 4 -train
printMap map
printDeltas

# --- a 3 x 4 map with the bias (its links count in the distance), steepest descent
seed 12
addNet koh2
addGroup in 3 INPUT
addGroup map 12 DISTANCE KOHONEN
connectGroups in map
addGroup junk 2 OUTPUT
setObj map.numColumns 3
setObj map.neighborhood 2
setObj map.periodicBoundary 1
setObj learningRate 0.05
setObj reportInterval 1
useTrainingSet kset
printWeights
steepest 2
printWeights
printDeltas
test
puts "T [getObj error] $::Test(numTicks)"
printOutputs kset {map junk}
exit
