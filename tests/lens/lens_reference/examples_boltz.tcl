# Lens's own Examples/boltz.in, unchanged (run from the Examples folder: PDPSIM_LENS_EXAMPLES)
seed 1
source boltz.in
proc show {g} {
    set line "O $g"
    for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {append line " [getObj $g:$u.output]"}
    puts $line
}
setObj reportInterval 1
train 3
puts "E [getObj error] [getObj output:0.incoming(0).weight] [getObj input:7.incoming(2).weight] [getObj gain]"
test
puts "T [getObj error]"
doExample 2 -test
show output
useNet Boltz-big
setObj reportInterval 1
train 3
puts "E [getObj error] [getObj hidden:3.incoming(5).weight] [getObj output:1.incoming(4).weight]"
test
puts "T [getObj error]"
doExample 5
show hidden
show output
exit
