# Lens's own Examples/boltz-complete.in, unchanged (run from the Examples folder: PDPSIM_LENS_EXAMPLES)
seed 1
source boltz-complete.in
proc show {g} {
    set line "O $g"
    for {set u 0} {$u < [getObj $g.numUnits]} {incr u} {append line " [getObj $g:$u.output]"}
    puts $line
}
setObj reportInterval 1
train 3
puts "E [getObj error] [getObj input:0.incoming(3).weight]"
test
puts "T [getObj error]"
show input
useNet Boltz-Complete2
setObj reportInterval 1
train 3
puts "E [getObj error] [getObj output:4.incoming(7).weight]"
test
puts "T [getObj error] [getObj gain]"
show input
show output
exit
