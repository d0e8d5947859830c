# Lens's example and tick procedures on a feed-forward network (the 4-3-4 encoder, enc4.init.wt):
# a PERMUTED set whose order (randInt) interleaves with `rand` drawn in preExampleProc, a target
# changed before each tick, outputs after it; training, test and doExample.
source common.tcl
source nets.tcl
buildEnc4
loadWeights enc4.init.wt
loadExamples enc4.ex -s e4 -exmode PERMUTED
seed 3
setObj preExampleProc {
    set ::r [rand]
    puts "PX [getObj currentExample.name] $::r"
}
setObj preTickProc {setObj out.unit(0).target $::r}
setObj postTickProc {puts "QT [getObj out.unit(0).output] [getObj out.unit(0).target] [getObj error]"}
setObj postExampleProc {puts "QX [getObj ticksOnExample] [getObj currentTick] [getObj hid.unit(1).inputDeriv]"}
setObj batchSize 3
setObj learningRate 0.5
train 3 -algorithm momentum
printWeights
test
puts "T [getObj error] $Test(numTicks)"
doExample 2
exit
