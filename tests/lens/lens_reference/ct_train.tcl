# Training a CONTINUOUS attractor network (the network of ct_attractor.tcl, weights
# from ct.init.wt, written by Lens after `seed 21`): Doug's momentum (Lens's default) in batches of two
# examples that wrap around, then steepest descent over the whole set, with
# trainGroupCrit ending events early, grace periods and events of their own
# lengths (ct.ex); link derivatives, weight changes and the units' state after
# the last backward pass are printed.
source common.tcl
source nets.tcl
buildCt
loadWeights ct.init.wt
loadExamples ct.ex -s ctset
setObj learningRate 0.3
setObj momentum 0.9
setObj batchSize 2
setObj reportInterval 10
setObj trainGroupCrit 0.2
trainSteps 4 5
printDeltas
foreach g {in hid out} {
    foreach f {output input outputDeriv inputDeriv} {
        puts "U $g $f [getObj $g.unit(0).$f] [getObj $g.unit(1).$f] [getObj $g.unit(2).$f]"
    }
}
setObj trainGroupCrit 0.0
setObj batchSize 0
setObj learningRate 0.5
train 10 -algorithm steepest
puts "E [getObj totalUpdates] [getObj error]"
printWeights
setObj testGroupCrit 0.0
test
puts "Y $Test(totalError) $Test(numTicks)"
exit
