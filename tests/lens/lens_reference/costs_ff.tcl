# Lens's output-cost group types on feed-forward networks: LINEAR_COST and QUADRATIC_COST on a
# bounded (LOGISTIC) hidden group and on an unbounded (LINEAR) one, CONV_QUAD_COST on TANH,
# LOGISTIC_COST and COSINE_COST on the outputs (before the error Lens appends, and after an error
# given first), DELTA_COST; outputCostStrength, the network's and a group's outputCostPeak (below
# and above 0.5), outputCostScale. Each network is seeded, trained and tested; outputCost, link
# derivatives, unit state and weights printed.
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

# bounded and unbounded costs on hidden groups, LOGISTIC_COST and COSINE_COST on the outputs
seed 7
addNet c1
addGroup in 4 INPUT
addGroup hid 3 LINEAR_COST QUADRATIC_COST
addGroup lin 2 LINEAR LINEAR_COST QUADRATIC_COST
addGroup th 3 TANH CONV_QUAD_COST
addGroup out 3 OUTPUT LOGISTIC_COST COSINE_COST
connectGroups in hid -mean 0.2 -range 0.8
connectGroups in lin -range 0.6
connectGroups hid th
connectGroups lin th
connectGroups th out
puts [changeGroupType hid]
puts [changeGroupType out]
puts "P [getObj outputCostStrength] [getObj outputCostPeak] [getObj hid.outputCostPeak] [getObj hid.outputCostScale]"
loadExamples types.ex -s pos
setObj outputCostStrength 0.3
setObj learningRate 0.3
setObj reportInterval 1
setObj batchSize 3
test
costs {hid lin th out}
train 2 -algorithm steepest
costs {hid lin th out}
printDeltas
printAll {hid lin th out}
setObj hid.outputCostPeak 0.3
setObj out.outputCostPeak 0.7
setObj th.outputCostPeak 0.2
setObj lin.outputCostScale 2.5
setObj out.outputCostScale 0.5
train 3 -algorithm momentum
costs {hid lin th out}
printDeltas
printAll {hid lin th out}
test
costs {hid lin th out}
doExample 2 -train
costs {hid lin th out}
printAll {hid lin th out}
doExample 1
printAll {hid lin th out}
setObj outputCostPeak 0.6
setObj out.outputCostPeak NaN
setObj th.outputCostPeak NaN
train 2 -algorithm dougsMomentum
costs {hid lin th out}
printDeltas
test
costs {hid lin th out}
printWeights

# the error first, unit costs after it; DELTA_COST (on an example's only tick: nothing) and a
# lesioned unit
seed 9
addNet c2
addGroup in 4 INPUT
addGroup hid 4 TANH COSINE_COST DELTA_COST LOGISTIC_COST
addGroup out 3 OUTPUT SUM_SQUARED CONV_QUAD_COST LINEAR_COST
connectGroups in hid
connectGroups hid out
puts [changeGroupType hid]
puts [changeGroupType out]
loadExamples types.ex -s pos
setObj outputCostStrength 0.5
setObj outputCostPeak 0.4
setObj learningRate 0.2
lesionUnits hid:2
train 3 -algorithm steepest
costs {hid out}
printDeltas
printAll {hid out}
test
costs {hid out}
setObj batchSize 2
train 2 -algorithm momentum
costs {hid out}
printAll {hid out}
printWeights
exit
