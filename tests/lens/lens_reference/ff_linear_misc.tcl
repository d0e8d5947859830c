# Regression: LINEAR outputs (SUM_SQUARED by default), TANH hidden units,
# NaN targets, errorScale, a group learning rate, weight bounds, frozen bias links.
source common.tcl
source nets.tcl
buildReg
loadWeights reg.init.wt
loadExamples reg.ex -s data
setObj output.errorScale 0.5
setObj hidden.learningRate 0.02
setObj learningRate 0.05
setObj momentum 0.5
setLinkValues max 0.6 -group output -type hidden
setLinkValues min -0.6 -group output -type hidden
freezeWeights -group hidden -type bias
setObj batchSize 2
setObj reportInterval 10
momentum 50
trainSteps 2 10
printWeights
printOutputs data output
test
puts "T [getObj error]"
exit
