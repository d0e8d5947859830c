# Lens's own Examples/kohonen.in and kohonen.tcl, unchanged (run from the Examples folder:
# PDPSIM_LENS_EXAMPLES)
seed 1
source kohonen.in
source kohonen.tcl
setObj reportInterval 1
train 5
puts "E [getObj map:0.incoming(0).weight] [getObj map:37.incoming(20).weight] [getObj map.neighborhood]"
test
puts "T [getObj error]"
doExample 5 -set test
set line "O"
for {set i 0} {$i < 64} {incr i} {append line " [getObj map:$i.output]"}
puts $line
exit
