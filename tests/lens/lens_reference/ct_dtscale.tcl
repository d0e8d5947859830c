# Group and unit dtScale in a CONTINUOUS network: Lens integrates a group with
# dt x its dtScale (x each unit's dtScale), in OUT_INTEGR (hid, out) and IN_INTEGR
# (h2) alike; each tick's error is still divided by ticksPerInterval. Seeded
# weights, the examples of ct_attractor (ct.ex); test, then Doug's momentum in
# batches of two with trainGroupCrit, then steepest.
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
seed 29
addNet cd -i 4 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4
addGroup h2 3 IN_INTEGR
addGroup out 3 OUTPUT
connectGroups in hid
connectGroups hid hid
connectGroups hid out -bidirectional
connectGroups in h2 out
setObj hid.dtScale 0.5
setObj h2.dtScale 0.7
setObj out.dtScale 1.25
setObj hid.unit(1).dtScale 2.0
setObj out.unit(2).dtScale 0.6
puts "S [getObj hid.dtScale] [getObj h2.dtScale] [getObj out.dtScale] [getObj hid.unit(1).dtScale] [getObj hid.unit(0).dtScale]"
printWeights
loadExamples ct.ex -s ctset
setObj testGroupCrit 0.0
printOutputs ctset {hid h2 out}
test
puts "Y $Test(totalError) $Test(numTicks)"
printUnits {hid h2 out} {output input}
setObj testGroupCrit 0.5
test
puts "Z $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
setObj learningRate 0.3
setObj batchSize 2
setObj trainGroupCrit 0.2
trainSteps 3 4
printDeltas
printUnits {in hid h2 out} {output input outputDeriv inputDeriv}
setObj trainGroupCrit 0.0
setObj batchSize 0
setObj learningRate 0.2
train 5 -algorithm steepest
puts "E [getObj totalUpdates] [getObj error]"
printWeights
setObj testGroupCrit 0.0
test
puts "Y $Test(totalError) $Test(numTicks)"
exit
