# Three classes: SOFT_MAX output with DIVERGENCE (Lens's default for it),
# MAX_CRIT, a testing set, dougsMomentum then momentum, batches of 4.
source common.tcl
source nets.tcl
buildCls
loadWeights cls.init.wt
loadExamples cls.ex -s train
loadExamples cls_test.ex -s testset
useTestingSet testset
setObj learningRate 0.05
setObj batchSize 4
setObj reportInterval 10
dougsMomentum 40
test
puts "T [getObj error]"
momentum 30 -report 5
trainSteps 2 10
printWeights
printOutputs train output
printOutputs testset output
test
puts "T [getObj error]"
exit
