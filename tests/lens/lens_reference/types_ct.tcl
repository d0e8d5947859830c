# Lens's less common group types in CONTINUOUS networks (Lens's unit loops, tick by tick): a
# self-recurrent LOGISTIC OUT_NORM group (normalised before its integrator), a radial-basis layer
# (DISTANCE, GAUSSIAN, IN_INTEGR), TERNARY with OUT_CROPPED, COSINE outputs (events with max, min
# and grace times: ct.ex); then IN_NORM and OUT_WINNER; test, Doug's momentum with trainGroupCrit,
# steepest, doExample -train, lesioned units; PRODUCT with IN_NORM run forward (test, doExample).
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

seed 14
addNet ctn -i 3 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4 OUT_NORM
addGroup rb 3 DISTANCE GAUSSIAN IN_INTEGR
addGroup tr 2 TERNARY OUT_CROPPED
addGroup out 3 OUTPUT COSINE
connectGroups in hid
connectGroups hid hid
connectGroups hid rb out
connectGroups in tr out
puts [changeGroupType hid]
puts [changeGroupType rb]
setObj rb.gain 0.5
setObj tr.maxOutput 0.5
setObj tr.ternaryShift 1.5
loadExamples ct.ex -s ctset
test
puts "T [getObj error] $Test(numTicks) $Test(percentCorrect)"
printAll {hid rb tr out}
setObj learningRate 0.3
setObj batchSize 2
setObj reportInterval 2
setObj trainGroupCrit 0.3
train 4
printDeltas
printAll {in hid rb tr out}
setObj trainGroupCrit 0
setObj batchSize 0
train 3 -algorithm steepest
printDeltas
test
puts "T [getObj error] $Test(numTicks) $Test(percentCorrect)"
doExample 0 -train
printAll {hid rb tr out}
doExample 2 -test
printWeights
lesionUnits {hid:2 rb:0 tr:1}
test
puts "T [getObj error] $Test(numTicks) $Test(percentCorrect)"
train 2
printDeltas
printAll {hid rb tr out}

seed 15
addNet ctp -i 3 -t 2 CONTINUOUS
addGroup in 3 INPUT
addGroup nrm 3 IN_NORM
addGroup win 4 OUT_WINNER
addGroup out 2 OUTPUT
connectGroups in nrm -mean 0.5 -range 0.3
connectGroups nrm win out
connectGroups in out
loadExamples types_ct.ex -s cset
setObj learningRate 0.2
setObj reportInterval 3
train 3
printDeltas
printAll {nrm win out}
train 3 -algorithm steepest
test
puts "T [getObj error] $Test(numTicks)"
printAll {nrm win out}
printWeights

# PRODUCT, run forward only (training would divide by the senders' outputs of tick 0, never
# stored in batch mode: 0, so Lens's link derivatives are NaN)
seed 16
addNet ctq -i 3 -t 2 CONTINUOUS
addGroup in 3 INPUT
addGroup prod 3 PRODUCT IN_NORM
addGroup out 2 OUTPUT
connectGroups in prod -mean 1 -range 0.4
connectGroups prod out
connectGroups in out
loadExamples types_ct.ex -s cset
test
puts "T [getObj error] $Test(numTicks)"
printUnits {prod out} {output input}
doExample 1
printUnits {prod out} {output input}
exit
