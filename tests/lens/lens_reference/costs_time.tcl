# Lens's output-cost group types on networks in time: an Elman network (SRBPTT, sequences of
# srn.ex cut at 5 ticks) with DELTA_COST (the change of each output since the tick before; on an
# example's first tick nothing, the group's memory kept across examples), QUADRATIC_COST and
# COSINE_COST on the hidden group and LOGISTIC_COST on the outputs; a CONTINUOUS attractor
# (ct.ex, grace periods) with DELTA_COST, CONV_QUAD_COST and LINEAR_COST on integrated groups.
# Training, test, outputCost, derivatives, unit state, weights.
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
proc costs {groups} {
    set line "C [getObj error] [getObj outputCost]"
    foreach g $groups {append line " [getObj $g.outputCost]"}
    puts $line
}

seed 31
addNet srn -i 5
addGroup input 3 INPUT
addGroup hidden 4 DELTA_COST QUADRATIC_COST
addGroup context 4 ELMAN
addGroup h2 3 TANH COSINE_COST DELTA_COST
addGroup output 3 OUTPUT LOGISTIC_COST
connectGroups input hidden
elmanConnect hidden context
connectGroups context hidden
connectGroups hidden h2
connectGroups h2 output
connectGroups hidden output
loadExamples srn.ex -s seqs
setObj outputCostStrength 0.4
setObj h2.outputCostPeak 0.3
setObj hidden.outputCostScale 1.5
setObj learningRate 0.2
setObj reportInterval 1
test
costs {hidden h2 output}
train 2 -algorithm steepest
costs {hidden h2 output}
printDeltas
printAll {hidden h2 output}
setObj batchSize 2
train 3 -algorithm momentum
costs {hidden h2 output}
printDeltas
test
costs {hidden h2 output}
doExample 1 -train
costs {hidden h2 output}
printAll {hidden h2 output}
printWeights

seed 21
addNet ct -i 4 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4 DELTA_COST CONV_QUAD_COST
addGroup out 3 OUTPUT LINEAR_COST
connectGroups in hid
connectGroups hid hid
connectGroups hid out -bidirectional
loadExamples ct.ex -s ctset
setObj outputCostStrength 0.2
setObj outputCostPeak 0.35
setObj learningRate 0.1
setObj reportInterval 1
test
costs {hid out}
setObj batchSize 2
train 3 -algorithm dougsMomentum
costs {hid out}
printDeltas
printAll {hid out}
setObj testGroupCrit 0.0
test
costs {hid out}
train 2 -algorithm steepest
costs {hid out}
printWeights
exit
