# Noise, drawn from Lens's generator: OUT_NOISE on an input, hidden and output group, IN_NOISE,
# noiseType (Gaussian added, uniform added, Gaussian multiplied; group and network noiseRange),
# EXT_INPUT_NOISE, OUT_DERIV_NOISE, IN_DERIV_NOISE and DERIV_NOISE on a TANH network, and
# OUT_NOISE in a simple recurrent network; test, doExample, training (also with examples
# chosen PROBABILISTIC, from the generator the noise comes from), printed state.
source common.tcl

proc printUnits {groups} {
    foreach g $groups {
        foreach f {output input outputDeriv inputDeriv externalInput} {
            set line "U $g $f"
            for {set u 0} {$u < [getObj $g.numUnits]} {incr u} { append line " [getObj $g.unit($u).$f]" }
            puts $line
        }
    }
}

addNet noisy
addGroup in 4 INPUT OUT_NOISE
addGroup hid 3 IN_NOISE OUT_NOISE
addGroup out 4 OUTPUT OUT_NOISE
connectGroups in hid out
loadWeights enc4.init.wt
loadExamples enc4.ex -s data
noiseType in -range 0.05 -flat
noiseType hid -range 0.2
noiseType out -multiply
setObj out.noiseRange 0.1
puts "G [getObj in.noiseRange] [getObj hid.noiseRange] [getObj out.noiseRange] [getObj noiseRange]"
seed 9
test
puts "T [getObj error]"
printUnits {in hid out}
printOutputs data out
setObj learningRate 0.2
setObj batchSize 3
setObj reportInterval 2
momentum 4
printDeltas
printUnits {in hid out}
puts "r [rand]"

addNet xt
addGroup input 2 INPUT EXT_INPUT_NOISE
addGroup hidden 3 TANH OUT_DERIV_NOISE IN_DERIV_NOISE
addGroup output 1 OUTPUT DERIV_NOISE
connectGroups input hidden output
connectGroups input output
loadWeights xor_tanh.init.wt
loadExamples xor.ex -s xor
noiseType hidden -multiply -flat -range 0.3
setObj noiseRange 0.05
seed 21
setObj learningRate 0.5
setObj reportInterval 3
steepest 3
printDeltas
printUnits {input hidden output}
dougsMomentum 3
printWeights
test
puts "T [getObj error]"
doExample 2
printUnits {input output}
exampleSetMode xor PROBABILISTIC
setObj batchSize 3
steepest 2
printWeights
test 3
puts "T [getObj error]"

addNet sn -i 5 3 4 OUT_NOISE 3
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
loadWeights srn_start.wt
loadExamples srn.ex -s seqs
noiseType hidden -range 0.15
seed 4
setObj learningRate 0.2
setObj reportInterval 2
train 2 -algorithm steepest
printDeltas
printUnits {input context hidden output}
test
puts "T [getObj error]"
puts "r [rand]"
exit
