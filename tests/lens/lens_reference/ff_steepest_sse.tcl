# XOR 2-2-1, SUM_SQUARED, steepest descent, full batch.
source common.tcl
source nets.tcl
buildXorSSE
loadWeights xor_sse.init.wt
loadExamples xor.ex
setObj learningRate 0.5
setObj reportInterval 25
steepest 100
puts "E [getObj totalUpdates] [getObj error] [getObj weightCost] [getObj gradientLinearity]"
trainSteps 4 25
printWeights
printOutputs xor output
test
puts "T [getObj error]"
exit
