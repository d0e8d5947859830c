# BOLTZMANN networks (deterministic Boltzmann machines): annealing, settling, the positive and
# negative phases and Lens's weight derivatives (with the SRBPTT backward pass Lens adds in
# training), testing, doExample in both modes.
source common.tcl

proc printUnits {groups} {
    foreach g $groups {
        set line "U $g"
        for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {
            append line " [getObj $g:$u.output] [getObj $g:$u.input] [getObj $g:$u.outputDeriv]"
        }
        puts $line
    }
}

proc testReport {} {
    test
    puts "T [getObj error] $::Test(numTicks) $::Test(examplesCorrect) [getObj gain]"
}

# --- a network with a hidden layer: links both ways, into the INPUT group too
seed 3
addNet bz -i 3 -t 4 BOLTZMANN
addGroup in 4 INPUT
addGroup hid 3
addGroup out 2 OUTPUT
connectGroups in hid -bi
connectGroups hid hid
connectGroups hid out -bi
connectGroups out out
loadExamples bz_layers.ex
setObj initGain 0.2
setObj finalGain 1.5
setObj annealTime 0.5
setObj clampStrength 0.6
setObj trainGroupCrit 0.01
setObj testGroupCrit 0.005
setObj learningRate 0.3
setObj batchSize 2
setObj reportInterval 1
puts "N [getObj numLinks] [getObj maxTicks] [getObj dt] [getObj hid.initOutput] [getObj in.initOutput]"
printWeights
testReport
printUnits {in hid out}
trainSteps 3 1
printWeights
printDeltas
printUnits {in hid out}
testReport
doExample 2
puts "X [getObj error] [getObj gain]"
printUnits {hid out}
printDeltas
doExample 1 -test
puts "X [getObj error] [getObj gain]"
printUnits {hid out}
doExample 0
puts "X [getObj error]"
printUnits {hid out}
# a group's own gain (no annealing), its dtScale, the network's dt, momentum
setObj hid.gain 0.8
setObj out.dtScale 0.5
setObj dt 0.3
setObj clampStrength 1.0
setObj batchSize 0
momentum 2
printWeights
printDeltas
testReport
steepest 1
printWeights
testReport
resetNet
printWeights
testReport

# --- one layer, INPUT and OUTPUT, SUM_SQUARED: completing patterns
seed 5
addNet vnet -i 2 -t 5 BOLTZMANN
addGroup vis 6 INPUT OUTPUT SUM_SQUARED
connectGroups vis vis
loadExamples boltz_vis.ex
setObj initGain 0.5
setObj trainGroupCrit 0.001
setObj testGroupCrit 0.001
setObj clampStrength 1.0
setObj reportInterval 1
printWeights
testReport
trainSteps 2 2
printWeights
printUnits {vis}
testReport
printUnits {vis}

# --- an INPUT group that settles (OUT_BOLTZ IN_BOLTZ) sending to and from an OUTPUT group
seed 9
addNet two -i 2 -t 5 BOLTZMANN
addGroup a 4 INPUT OUT_BOLTZ IN_BOLTZ
addGroup b 2 OUTPUT
connectGroups {a b} {a b}
loadExamples bz_layers.ex -s tset
setObj tset.maxTime 2.0
setObj tset.graceTime 1.0
setObj initGain 0.1
setObj annealTime 1.0
setObj clampStrength 0.8
setObj reportInterval 2
testReport
train 4
printWeights
printUnits {a b}
testReport
printUnits {a b}
exit
