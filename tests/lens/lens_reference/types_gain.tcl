# ADAPTIVE_GAIN: each unit's own gain, learned from its gainDeriv (adaptiveGainRate, gainDecay),
# on GAUSSIAN, TANH (a group gain) and LOGISTIC groups of a feed-forward network, and on a
# CONTINUOUS network (gain derivatives scaled by 1/ticksPerInterval as the link derivatives);
# unit gains and gain derivatives, resetNet (gains back to the group's), frozen groups.
source common.tcl
proc printGains {groups} {
    foreach g $groups {
        set line "G $g"
        for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {
            append line " [getObj $g.unit($u).gain] [getObj $g.unit($u).gainDeriv]"
        }
        puts $line
    }
}

seed 17
addNet ag
addGroup in 4 INPUT
addGroup h1 3 GAUSSIAN ADAPTIVE_GAIN
addGroup h2 3 TANH ADAPTIVE_GAIN
addGroup out 3 OUTPUT ADAPTIVE_GAIN
connectGroups in h1 h2 out
connectGroups in h2
setObj h2.gain 1.5
resetNet
setObj adaptiveGainRate 0.05
setObj h1.gainDecay 0.01
loadExamples types.ex -s pos
printGains {h1 h2 out}
setObj learningRate 0.2
setObj reportInterval 2
train 2 -algorithm steepest
printGains {h1 h2 out}
printDeltas
setObj batchSize 4
train 4
printGains {h1 h2 out}
test
puts "T [getObj error]"
freezeWeights -group h2
train 2 -algorithm momentum
printGains {h1 h2 out}
resetDerivs
printGains {h1}
printWeights
resetNet
printGains {h1 h2 out}

seed 18
addNet ctg -i 3 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4 ADAPTIVE_GAIN
addGroup out 3 OUTPUT TANH ADAPTIVE_GAIN SUM_SQUARED
connectGroups in hid
connectGroups hid hid
connectGroups hid out
setObj adaptiveGainRate 0.1
loadExamples ct.ex -s ctset
setObj learningRate 0.3
setObj batchSize 2
setObj reportInterval 2
train 4
printGains {hid out}
printDeltas
setObj batchSize 0
train 2 -algorithm steepest
printGains {hid out}
test
puts "T [getObj error] $Test(numTicks)"
exit
