# XOR with a TANH hidden layer and a skip connection; Lens's defaults:
# CROSS_ENTROPY output, dougsMomentum (learningRate 0.1, momentum 0.9);
# zeroErrorRadius; then a group's own learning rate.
source common.tcl
source nets.tcl
buildXorTanh
loadWeights xor_tanh.init.wt
loadExamples xor.ex
setObj zeroErrorRadius 0.1
setObj reportInterval 15
train 90
trainSteps 2 15
setObj hidden.learningRate 0.3
setObj output.momentum 0.5
trainSteps 3 20
printWeights
printDeltas
printOutputs xor output
test
puts "T [getObj error]"
exit
