# 8-3-8 encoder, SUM_SQUARED, delta-bar-delta with momentum.
source common.tcl
source nets.tcl
buildEnc8
loadWeights enc8.init.wt
loadExamples enc8.ex -s patterns
setObj learningRate 0.05
setObj momentum 0.3
setObj rateIncrement 0.05
setObj reportInterval 20
deltaBarDelta 60
trainSteps 2 20
printWeights
for {set g 0} {$g < [getObj numGroups]} {incr g} {
    for {set u 0} {$u < [getObj group($g).numUnits]} {incr u} {
        for {set k 0} {$k < [getObj group($g).unit($u).numIncoming]} {incr k} {
            puts "R [getObj group($g).name] $u $k [getObj group($g).unit($u).incoming2($k).lastValue]"
        }
    }
}
printOutputs patterns output
test
puts "T [getObj error]"
exit
