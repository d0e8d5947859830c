# pdpsim test: what Lens's Examples/ scripts need of the shell (display commands in batch
# mode, example sets before the network, moveExamples, deleteGroups, unit names, set and event
# fields, pipes, addNet -i 4.0, CONTINUOUS events without targets, randWeights on frozen links,
# text weight files). Written for pdpsim; run in Lens 2.63 to record folder_commands.lens.out.
source common.tcl
seed 5
puts "display [viewUnits] / [view] / [resetPlot 3] / [plotRow 1 f n x 2] / [drawUnits] / [viewLinks]"
puts "graphs [graphObject] [graph create] [graph list]"
loadExamples xor.ex -s early
puts "early [getObj early.numExamples] [getObj early.mode]"
exampleSetMode early PERMUTED
puts "mode [getObj early.mode]"
exampleSetMode early RANDOMIZED
puts "mode [getObj early.mode]"
exampleSetMode early PROBABILISTIC
puts "mode [getObj early.mode]"
exampleSetMode early ORDERED
addNet ff -i 4.0 2 3 1
puts "time [getObj timeIntervals] [getObj ticksPerInterval]"
puts "autoPlot [autoPlot 4]"
setObj input.numColumns 2
setObj unitCellSize 20
puts "cols [getObj input.numColumns] [getObj unitCellSize]"
puts "sets [catch {getObj trainingSet.name}]"
useTrainingSet early
puts "sets [getObj trainingSet.name]"
moveExamples early late 0.5
puts "moved [getObj early.numExamples] [getObj late.numExamples] [getObj testingSet.name]"
puts "names [getObj early.example(0).name] [getObj late.example(0).name] [getObj late.example(1).name]"
moveExamples late early 1 1
puts "moved [getObj early.numExamples] [getObj late.numExamples] [getObj early.example(2).name]"
moveExamples early copy 0 2 -copy
puts "copied [getObj early.numExamples] [getObj copy.numExamples]"
train 2
test
printWeights
setObj hidden:1.name mid
puts "unit [getObj mid.output] [getObj hidden.unit(1).name]"
deleteGroups bias
puts "groups [getObj numGroups] [getObj numLinks] [getObj group(0).name]"
test
loadExamples "| cat xor.ex" -s piped
puts "piped [getObj piped.numExamples] [getObj piped.example(3).name]"
puts "event [getObj piped.example(1).event(0).maxTime] [getObj piped.example(1).event(0).target.val(0)]"
setObj piped.example(1).event(0).target.val(0) 0.25
setObj piped.example(1).frequency 2
puts "event [getObj piped.example(1).event(0).target.val(0)] [getObj piped.example(1).frequency]"
test
freezeWeights -group hidden
randWeights
printWeights
saveWeights folder_tmp.wt -text
loadWeights folder_tmp.wt
printWeights
file delete folder_tmp.wt

seed 9
addNet ct -i 3 -t 4 CONTINUOUS 2 3 2
loadExamples folder_miss.ex -s miss
test
puts "ticks [getObj ticksOnExample] [getObj error]"
doExample 0
puts "ex0 [getObj ticksOnExample] [getObj output:0.output]"
doExample 2
puts "ex2 [getObj ticksOnExample] [getObj output:0.output]"
train 2
puts "trained [getObj error] [getObj output:0.output] [getObj output:1.output]"
printWeights
setObj miss.maxTime 2
setObj miss.minTime 1
setObj miss.graceTime 0.5
puts "set [getObj miss.maxTime] [getObj miss.minTime] [getObj miss.graceTime]"
setObj testGroupCrit 0.4
test
setObj miss.example(1).event(0).maxTime 1.5
puts "event [getObj miss.example(1).event(0).maxTime] [getObj miss.example(2).event(0).maxTime]"
test
exit
