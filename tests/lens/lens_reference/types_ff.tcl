# Lens's less common group types on feed-forward networks: IN_NORM and OUT_NORM (with DIVERGENCE),
# DISTANCE with GAUSSIAN (a radial-basis layer, without and with its bias link), PRODUCT
# (sigma-pi units), OUT_WINNER (winner-take-all), TERNARY (ternaryShift, gain), OUT_CROPPED
# (minOutput / maxOutput set), COSINE error (errorScale, targetRadius). Each network is seeded,
# trained with several algorithms, and its link derivatives, weight changes, unit state and
# test printed.
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
proc printAll {groups} {printUnits $groups {output input outputDeriv inputDeriv}}
proc bounds {groups} {
    foreach g $groups {
        puts "B $g [getObj $g.minOutput] [getObj $g.maxOutput] [getObj $g.initOutput]"
    }
}

# normalisation: IN_NORM on a LOGISTIC hidden layer, OUT_NORM outputs with DIVERGENCE
seed 7
addNet nrm
addGroup in 4 INPUT
addGroup hid 3 IN_NORM
addGroup out 3 OUTPUT OUT_NORM DIVERGENCE
connectGroups in hid -mean 0.5 -range 0.3
connectGroups hid out
bounds {hid out}
puts [changeGroupType hid]
puts [changeGroupType out]
loadExamples types.ex -s pos
setObj learningRate 0.5
setObj reportInterval 2
train 2 -algorithm steepest
printDeltas
printAll {hid out}
setObj batchSize 4
train 3 -algorithm momentum
printDeltas
test
puts "T [getObj error] $Test(percentCorrect)"
printAll {hid out}
doExample 2 -train
printAll {hid out}
doExample 1 -test
printAll {hid out}
printWeights

# radial-basis layers: DISTANCE with GAUSSIAN, one without its bias link, one with it and a gain
seed 8
addNet rbf
addGroup in 3 INPUT
addGroup rb 4 DISTANCE GAUSSIAN -BIASED
addGroup rb2 3 DISTANCE GAUSSIAN
addGroup out 2 OUTPUT LINEAR
connectGroups in rb out
connectGroups in rb2 out
setObj rb2.gain 0.7
bounds {rb rb2 out}
loadExamples reg.ex -s reg
setObj learningRate 0.2
setObj reportInterval 3
train 3 -algorithm steepest
printDeltas
printAll {rb rb2 out}
setObj batchSize 2
train 6 -algorithm dougsMomentum
printDeltas
test
puts "T [getObj error]"
printAll {rb rb2 out}
printWeights

# sigma-pi: PRODUCT units (bias link included), CROSS_ENTROPY outputs
seed 9
addNet sp
addGroup in 4 INPUT
addGroup prod 3 PRODUCT
addGroup out 3 OUTPUT
connectGroups in prod -mean 1.0 -range 0.5
connectGroups prod out
connectGroups in out
loadExamples types.ex -s pos
setObj learningRate 0.3
setObj reportInterval 2
train 2 -algorithm steepest
printDeltas
printAll {prod out}
train 4 -algorithm deltaBarDelta
printDeltas
test
puts "T [getObj error]"
printAll {prod out}
printWeights

# winner-take-all hidden layer (OUT_WINNER), TERNARY outputs, OUT_CROPPED LINEAR outputs
seed 10
addNet wta
addGroup in 4 INPUT
addGroup win 4 OUT_WINNER
addGroup out 3 OUTPUT TERNARY SUM_SQUARED
addGroup out2 2 OUTPUT LINEAR OUT_CROPPED
connectGroups in win out
connectGroups win out2
connectGroups in out2
bounds {win out out2}
setObj out.ternaryShift 2.5
setObj out.gain 1.5
setObj out2.minOutput -0.5
setObj out2.maxOutput 0.6
loadExamples types2.ex -s two
setObj learningRate 0.2
setObj reportInterval 2
train 2 -algorithm steepest
printDeltas
printAll {win out out2}
train 5
printDeltas
test
puts "T [getObj error] [getObj out.error] [getObj out2.error]"
printAll {win out out2}
printWeights

# COSINE error (errorScale 1.5, a target radius), OUT_CROPPED TANH hidden units
seed 11
addNet cos
addGroup in 4 INPUT
addGroup hid 3 TANH OUT_CROPPED
addGroup out 3 OUTPUT COSINE
connectGroups in hid out
setObj hid.maxOutput 0.4
setObj out.errorScale 1.5
setObj out.targetRadius 0.1
bounds {hid out}
loadExamples types.ex -s pos
setObj learningRate 0.5
setObj reportInterval 2
train 2 -algorithm steepest
printDeltas
printAll {hid out}
setObj batchSize 3
train 4 -algorithm momentum
printDeltas
test
puts "T [getObj error]"
printUnits {out} {target adjustedTarget}
printAll {hid out}
printWeights
exit
