# SOFT_CLAMP and WEAK_CLAMP input groups on a CONTINUOUS network, and doExample -train.
# SOFT_CLAMP (an input procedure) adds to a unit's net input the inverse logistic of
# initOutput + clampStrength (externalInput - initOutput), divided by the gain; the group's
# LOGISTIC output then integrates toward it (no backward step of its own). WEAK_CLAMP (an output
# procedure) moves the output by clampStrength toward the external input (with no output function
# the output starts from 0), and scales the output derivative by 1 - clampStrength going back.
# A '-' input leaves a unit unclamped. Group and network clampStrength, a gain, IN_INTEGR after
# SOFT_CLAMP, an input of -1 (the inverse logistic's bound). Run forward, trained, doExample
# -train (Lens's training tick without the backward pass: criteria with trainGroupCrit, error
# derivatives of the last tick), which Lens keeps for later doExamples until -test; the same on
# the plain attractor of ct_train.tcl.
source common.tcl
proc printUnits {groups fields} {
    foreach g $groups {
        foreach f $fields {
            set line "U $g $f"
            for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {
                append line " [getObj $g.unit($u).$f]"
            }
            puts $line
        }
    }
}
seed 31
addNet cs -i 3 -t 4 CONTINUOUS
addGroup in 3 INPUT SOFT_CLAMP
addGroup in2 2 INPUT WEAK_CLAMP
addGroup in3 2 INPUT SOFT_CLAMP IN_INTEGR
addGroup hid 4
addGroup out 3 OUTPUT
connectGroups in hid
connectGroups in2 hid
connectGroups in3 hid
connectGroups hid hid
connectGroups hid out
setObj in.clampStrength 0.8
setObj in.gain 1.5
setObj clampStrength 0.6
puts "I [getObj in.initOutput] [getObj in2.initOutput] [getObj in3.initOutput] [getObj in.clampStrength] [getObj clampStrength]"
loadExamples ct_clamp.ex -s cset
setObj testGroupCrit 0.0
printOutputs cset {in in2 in3 hid out}
test
puts "Y $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
printUnits {in in2 in3 hid out} {output input externalInput}
setObj testGroupCrit 0.3
test
puts "Z $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
setObj learningRate 0.3
setObj batchSize 2
setObj reportInterval 2
setObj trainGroupCrit 0.2
trainSteps 2 3
printDeltas
printUnits {in in2 in3 hid out} {output input outputDeriv inputDeriv}
setObj trainGroupCrit 0.0
setObj batchSize 0
steepest 3
puts "E [getObj totalUpdates] [getObj error]"
printDeltas
printWeights
doExample 0 -train
puts "X [getObj error]"
printUnits {in in2 in3 hid out} {output input outputDeriv inputDeriv target}

source nets.tcl
buildCt
loadWeights ct.init.wt
loadExamples ct.ex -s ctset
setObj error 0
doExample 0 -train
puts "X [getObj error]"
printUnits {in hid out} {output input outputDeriv inputDeriv target adjustedTarget}
setObj trainGroupCrit 0.3
doExample 1 -train
puts "X [getObj error]"
printUnits {hid out} {output input outputDeriv}
doExample 2
puts "X [getObj error]"
printUnits {hid out} {output outputDeriv}
doExample 2 -test
puts "X [getObj error]"
printUnits {hid out} {output outputDeriv}
train 1
printDeltas
printUnits {in hid out} {output input outputDeriv inputDeriv}
exit
