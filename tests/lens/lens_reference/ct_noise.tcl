# Noise on CONTINUOUS networks, drawn from Lens's generator tick by tick and unit by unit:
# OUT_NOISE on a clamped input, before an output integrator (Lens's cleanup appends OUT_INTEGR
# after it) and after one; IN_NOISE after the dot product and after IN_INTEGR; noiseType
# variants and group/network noiseRange; PROBABILISTIC examples (chosen from the generator the
# noise comes from). Then EXT_INPUT_NOISE, OUT_DERIV_NOISE and IN_DERIV_NOISE (before and after
# IN_INTEGR's backward step), DERIV_NOISE on TANH and IN_INTEGR groups, with a lesioned unit;
# doExample -train (Lens keeps the training tick for later doExamples until -test).
# test, doExample, training; errors, derivatives, units' state, weights.
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
seed 13
addNet cn -i 3 -t 3 CONTINUOUS
addGroup in 3 INPUT OUT_NOISE
addGroup hid 4 IN_NOISE OUT_NOISE
addGroup h2 3 IN_INTEGR IN_NOISE OUT_NOISE
addGroup out 3 OUTPUT OUT_INTEGR OUT_NOISE
connectGroups in hid
connectGroups hid hid
connectGroups hid out -bidirectional
connectGroups in h2 out
noiseType in -range 0.05 -flat
noiseType hid -range 0.2
noiseType h2 -multiply -flat -range 0.3
noiseType out -multiply
setObj out.noiseRange 0.1
loadExamples ct.ex -s ctset
setObj testGroupCrit 0.0
printOutputs ctset {hid h2 out}
test
puts "Y $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
printUnits {in hid h2 out} {output input externalInput}
setObj testGroupCrit 0.3
test
puts "Z $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
setObj learningRate 0.3
setObj batchSize 2
setObj reportInterval 2
setObj trainGroupCrit 0.2
trainSteps 2 3
printDeltas
printUnits {in hid h2 out} {output input outputDeriv inputDeriv}
exampleSetMode ctset PROBABILISTIC
setObj trainGroupCrit 0.0
setObj batchSize 3
steepest 2
puts "E [getObj totalUpdates] [getObj error]"
printWeights
test 4
puts "Y $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
puts "r [rand]"

seed 23
addNet cd -i 2 -t 4 CONTINUOUS
addGroup input 3 INPUT EXT_INPUT_NOISE
addGroup hidden 4 TANH OUT_DERIV_NOISE IN_DERIV_NOISE
addGroup h2 3 IN_INTEGR IN_DERIV_NOISE
addGroup h3 2 IN_DERIV_NOISE IN_INTEGR
addGroup output 3 OUTPUT DERIV_NOISE
connectGroups input hidden output
connectGroups input h2
connectGroups h2 h2
connectGroups h2 output
connectGroups hidden h3 output
noiseType hidden -multiply -flat -range 0.3
setObj noiseRange 0.05
lesionUnits {hidden:1}
loadExamples ct.ex -s cset
setObj testGroupCrit 0.0
test
puts "Y $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
printUnits {input hidden h2 h3 output} {output input externalInput}
setObj learningRate 0.2
setObj reportInterval 2
steepest 2
printDeltas
printUnits {input hidden h2 h3 output} {output input outputDeriv inputDeriv}
setObj batchSize 2
dougsMomentum 3
puts "E [getObj totalUpdates] [getObj error]"
printWeights
doExample 1 -train
printUnits {input hidden output} {output input outputDeriv inputDeriv externalInput}
puts "X [getObj error]"
doExample 2
printUnits {hidden output} {output outputDeriv}
doExample 0 -test
printUnits {hidden output} {output outputDeriv}
puts "r [rand]"
exit
