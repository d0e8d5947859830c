# TANH in simple recurrent networks (SRBPTT): addNet's ELMAN shorthand with a TANH
# hidden group (its context starts at the hidden group's initOutput, which Lens
# sets to 0 for TANH), a second TANH hidden group after the context with a
# link from it into the output, which comes earlier in the group order (read from the previous tick), gain 1.3, TANH
# outputs with SUM_SQUARED; seeded weights. Trained through time (steepest,
# then Doug's momentum in batches of 2): Lens takes TANH's derivative at each
# tick's net input. Derivatives, unit state, test, outputs and weights.
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
seed 17
addNet st -i 4 3 4 TANH ELMAN 2 TANH SUM_SQUARED
addGroup h2 3 TANH
connectGroups hidden h2
connectGroups h2 output
connectGroups input h2
setObj hidden.gain 1.3
puts "I [getObj context.initOutput] [getObj hidden.initOutput] [getObj h2.initOutput] [getObj output.initOutput]"
printWeights
loadExamples srn_tanh.ex -s seqs
setObj learningRate 0.1
train 1 -algorithm steepest
printDeltas
printUnits {input context hidden output h2} {output input outputDeriv inputDeriv}
setObj batchSize 2
setObj reportInterval 3
train 4
test
puts "T [getObj error] $Test(numExamples) $Test(numTicks) $Test(percentCorrect)"
printOutputs seqs {hidden output h2}
printDeltas
printWeights
exit
