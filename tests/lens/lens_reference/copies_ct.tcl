# Lens's copy group types on a CONTINUOUS network (copyConnect): IN_COPY of the input group's
# external inputs, TARGET_COPY of the output group's targets (before a SUM_SQUARED error), OUT_COPY
# of the output group's outputDerivs, IN_COPY of the hidden group's inputDerivs. Seeded, tested,
# trained and tested again; unit state, link derivatives and weights printed.
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
proc printAll {groups} {printUnits $groups {output input target outputDeriv inputDeriv}}

seed 9
addNet cc -i 4 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup cin 3 IN_COPY
addGroup hid 4
addGroup out 3 OUTPUT
addGroup oc 3 OUT_COPY
addGroup ic 4 IN_COPY LINEAR
addGroup o2 3 OUTPUT TARGET_COPY SUM_SQUARED
connectGroups {in cin} hid
connectGroups hid hid
connectGroups hid out
connectGroups {hid oc ic} o2
copyConnect in cin externalInputs
copyConnect out oc outputDerivs
copyConnect hid ic inputDerivs
copyConnect out o2 targets
loadExamples ct.ex -s c
setObj learningRate 0.2
setObj reportInterval 1
puts "E [test]"
printAll {cin hid out oc ic o2}
train 2 -algorithm steepest
printAll {cin hid out oc ic o2}
printDeltas
setObj batchSize 2
train 2 -algorithm dougsMomentum
puts "E [test]"
printAll {cin hid out oc ic o2}
printWeights
exit
