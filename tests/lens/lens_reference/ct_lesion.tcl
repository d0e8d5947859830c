# Lesions on a CONTINUOUS network (the attractor of ct_train.tcl, weights ct.init.wt): after
# `seed 41`, hidden units lesioned by proportion, an output and an input unit by name, links
# deleted and given noise; run forward (doExample, test with and without the criterion), then
# trained (Doug's momentum in batches of two with trainGroupCrit, steepest); units healed and
# the network reset. Lens's unit loops skip a lesioned unit: its output stays 0, it has no error
# and meets every criterion, its links are not updated. A unit healed without resetNet reads NaN
# from its history at tick 0, so the links it sends get NaN derivatives (printed last).
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
source nets.tcl
buildCt
loadWeights ct.init.wt
loadExamples ct.ex -s ctset
seed 41
lesionUnits hid 0.4
lesionUnits {out:1 in:2}
lesionLinks out -proportion 0.3
lesionLinks hid -proportion 0.2 -range 0.5
puts "N [getObj numLinks] [getObj hid.unit(0).numIncoming] [getObj out.unit(2).numIncoming]"
printUnits {in hid out} {output input outputDeriv inputDeriv}
setObj testGroupCrit 0.0
printOutputs ctset {hid out}
test
puts "Y $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
printUnits {in hid out} {output input target externalInput adjustedTarget}
setObj testGroupCrit 0.3
test
puts "Z $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
setObj learningRate 0.3
setObj batchSize 2
setObj reportInterval 2
setObj trainGroupCrit 0.2
trainSteps 3 3
printDeltas
printUnits {in hid out} {output input outputDeriv inputDeriv target adjustedTarget}
healUnits {in:2}
setObj testGroupCrit 0.0
test
puts "Y $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
setObj trainGroupCrit 0.0
setObj batchSize 0
setObj learningRate 0.2
seed 5
resetNet
train 4 -algorithm steepest
puts "E [getObj totalUpdates] [getObj error]"
printDeltas
printWeights
test
puts "Y $Test(totalError) $Test(numTicks) $Test(examplesCorrect)"
healUnits
train 1 -algorithm steepest
puts "E [getObj totalUpdates] [getObj error]"
foreach g {hid out} {
    for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {
        set line "H $g $u"
        for {set k 0} {$k < [getObj $g.unit($u).numIncoming]} {incr k} {
            append line " [getObj $g.unit($u).incoming($k).deriv]"
        }
        puts $line
    }
}
exit
