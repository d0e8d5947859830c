# Helpers shared by the reference scripts (plain Tcl on Lens's getObj).
# Every real goes through getObj, so its digits are those of the shell's getObj.

proc printWeights {} {
    for {set g 0} {$g < [getObj numGroups]} {incr g} {
        for {set u 0} {$u < [getObj group($g).numUnits]} {incr u} {
            set n [getObj group($g).unit($u).numIncoming]
            for {set k 0} {$k < $n} {incr k} {
                puts "W [getObj group($g).name] $u $k [getObj group($g).unit($u).incoming($k).weight]"
            }
        }
    }
}

proc printDeltas {} {
    for {set g 0} {$g < [getObj numGroups]} {incr g} {
        for {set u 0} {$u < [getObj group($g).numUnits]} {incr u} {
            set n [getObj group($g).unit($u).numIncoming]
            for {set k 0} {$k < $n} {incr k} {
                puts "D [getObj group($g).name] $u $k [getObj group($g).unit($u).incoming2($k).lastWeightDelta] [getObj group($g).unit($u).incoming($k).deriv]"
            }
        }
    }
}

# outputs of every output group for each example of a set (doExample by number)
proc printOutputs {set groups} {
    set n [getObj $set.numExamples]
    for {set i 0} {$i < $n} {incr i} {
        doExample $i -set $set
        set line "O $set $i"
        foreach g $groups {
            for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {
                append line " [getObj $g.unit($u).output]"
            }
        }
        puts $line
    }
}

# train in steps, printing the update count and the error of the last batch
proc trainSteps {steps per} {
    for {set s 0} {$s < $steps} {incr s} {
        train $per
        puts "E [getObj totalUpdates] [getObj error] [getObj weightCost] [getObj gradientLinearity]"
    }
}
