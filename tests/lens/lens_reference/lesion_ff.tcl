# Lesions on the 8-3-8 encoder (weights enc8.init.wt): lesionLinks in each mode (delete, -value,
# Gaussian and uniform noise added or multiplied, -discard, -type), lesionUnits by proportion and
# by name, healUnits; test, momentum with weight decay, dougsMomentum, resetNet, printed state;
# at the end the bias and an input unit lesioned.
source common.tcl
source nets.tcl

proc printUnits {groups} {
    foreach g $groups {
        foreach f {output input outputDeriv inputDeriv target adjustedTarget} {
            set line "U $g $f"
            for {set u 0} {$u < [getObj $g.numUnits]} {incr u} { append line " [getObj $g.unit($u).$f]" }
            puts $line
        }
    }
}
proc printLinks {} {
    set line "N [getObj numLinks]"
    foreach g {hidden output} {
        for {set u 0} {$u < [getObj $g.numUnits]} {incr u} { append line " [getObj $g.unit($u).numIncoming]" }
    }
    puts $line
}

buildEnc8
loadWeights enc8.init.wt
loadExamples enc8.ex -s data
setObj learningRate 0.3
setObj reportInterval 2
momentum 2
seed 5
puts "R <[lesionLinks hidden -proportion 0.4]>"
printLinks
puts "R <[lesionLinks output -proportion 0.3 -value 0.25]>"
puts "R <[lesionLinks output -proportion 0.5 -range 0.4]>"
puts "R <[lesionLinks hidden -range 0.3 -multiply -flat -proportion 0.6]>"
lesionLinks output -range 0.2 -discard -proportion 0.2 -type hidden
lesionLinks output -range 0.1 -multiply -proportion 0.5 -type bias
lesionLinks hidden -range 0.5 -flat -discard -proportion 0.25
lesionLinks output -proportion 0.1 -type hidden
printLinks
puts "r [rand]"
printWeights
puts "R <[lesionUnits hidden 0.6]>"
puts "R <[lesionUnits {output:2 output:5}]>"
printUnits {hidden output}
puts "R <[healUnits hidden 0.9]>"
puts "r [rand]"
printUnits {hidden}
test
puts "T [getObj error] $Test(percentCorrect)"
printUnits {hidden output}
printOutputs data output
setObj weightDecay 0.001
momentum 3
printDeltas
printUnits {input hidden output}
setObj weightDecay 0
dougsMomentum 2
puts "E [getObj error] [getObj weightCost] [getObj gradientLinearity]"
printWeights
resetNet
printLinks
printDeltas
printWeights
healUnits {hidden:1}
printUnits {hidden}
test
puts "T [getObj error]"
healUnits
printUnits {hidden output}
steepest 2
printDeltas
printOutputs data output
lesionUnits {bias:0 input:3}
test
puts "T [getObj error]"
momentum 2
printDeltas
printUnits {input}
puts "B [getObj bias.unit(0).output] [getObj bias.unit(0).outputDeriv]"
exit
