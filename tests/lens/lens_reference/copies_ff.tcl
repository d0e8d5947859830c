# Lens's copy group types on feed-forward and SRBPTT networks, connected with copyConnect:
# IN_COPY (a LOGISTIC group whose input is the input group's external inputs), TARGET_COPY before
# the error (an output group whose targets are the input group's external inputs), OUT_COPY (a
# group whose outputs are the output group's targets, sending to another group), IN_COPY of a
# later group's outputDerivs and inputDerivs (what they held when the copy ran). Each network is
# seeded, tested, trained and tested again; unit state, link derivatives and weights printed.
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

seed 3
addNet cp1
addGroup in 4 INPUT
addGroup cin 4 IN_COPY
addGroup hid 3
addGroup out 4 OUTPUT
addGroup tc 4 OUT_COPY
addGroup ae 4 OUTPUT TARGET_COPY SUM_SQUARED
connectGroups in hid
connectGroups cin hid
connectGroups hid out
connectGroups hid ae
connectGroups tc ae
copyConnect in cin externalInputs
copyConnect out tc targets
copyConnect in ae externalInputs
puts [changeGroupType ae]
puts "M [getObj tc.minOutput] [getObj tc.maxOutput]"
loadExamples enc4.ex -s e4
setObj learningRate 0.3
setObj reportInterval 1
puts "E [test]"
printAll {cin hid out tc ae}
train 3 -algorithm steepest
printDeltas
setObj batchSize 2
train 3 -algorithm momentum
puts "E [test]"
printAll {cin hid out tc ae}
printWeights
printOutputs e4 {out ae}

seed 5
addNet cp2
addGroup in 4 INPUT
addGroup dc 4 IN_COPY LINEAR
addGroup ic 3 IN_COPY TANH
addGroup hid 3
addGroup out 4 OUTPUT
connectGroups in hid
connectGroups dc hid
connectGroups ic hid
connectGroups hid out
copyConnect out dc outputDerivs
copyConnect hid ic inputDerivs
loadExamples enc4.ex -s e4b
setObj learningRate 0.4
setObj reportInterval 1
puts "E [test]"
printAll {dc ic hid out}
train 2 -algorithm steepest
printAll {dc ic hid out}
printDeltas
setObj batchSize 3
train 2 -algorithm momentum
puts "E [test]"
printAll {dc ic hid out}
printWeights

seed 7
addNet cp3 -i 4 SRBPTT
addGroup in 3 INPUT
addGroup tc 3 IN_COPY
addGroup hid 4
addGroup ctx 4 ELMAN
addGroup dc 3 IN_COPY LINEAR
addGroup out 3 OUTPUT SUM_SQUARED
addGroup oc 3 OUT_COPY
addGroup o2 3 OUTPUT TARGET_COPY
elmanConnect hid ctx
connectGroups {in tc ctx dc} hid
connectGroups hid out
connectGroups {hid oc} o2
copyConnect out tc targets
copyConnect out dc outputDerivs
copyConnect in oc externalInputs
copyConnect out o2 targets
loadExamples srn.ex -s sq
setObj learningRate 0.2
setObj reportInterval 1
puts "E [test]"
printAll {tc hid dc out oc o2}
train 2 -algorithm steepest
printAll {tc hid dc out oc o2}
printDeltas
setObj batchSize 2
train 2 -algorithm dougsMomentum
puts "E [test]"
printAll {tc hid dc out oc o2}
printWeights
exit
