# 4-3-4 encoder built group by group, CROSS_ENTROPY (Lens's default), momentum,
# batches of 3 that wrap around the 4 examples, target radius, weight decay.
source common.tcl
source nets.tcl
buildEnc4
loadWeights enc4.init.wt
loadExamples enc4.ex -s train
setObj learningRate 0.2
setObj momentum 0.9
setObj batchSize 3
setObj out.targetRadius 0.05
setObj weightDecay 0.0005
setObj reportInterval 10
momentum 60
printDeltas
foreach f {output input outputDeriv inputDeriv} {
    puts "U hid.unit(0).$f [getObj hid.unit(0).$f]"
}
foreach f {output input target adjustedTarget outputDeriv inputDeriv} {
    puts "U out.unit(1).$f [getObj out.unit(1).$f]"
}
puts "U in.unit(2).outputDeriv [getObj in.unit(2).outputDeriv]"
puts "G out.error [getObj out.error]"
trainSteps 3 20
printWeights
printOutputs train out
test
puts "T [getObj error]"
exit
