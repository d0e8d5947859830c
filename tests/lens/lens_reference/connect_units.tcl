# Single links (connectUnits: a new block, links added before, after and between the links of
# a block, -mean/-range, a link already there) and disconnectGroups (all links, and by
# -type), with seeded weights; training and test after each.
source common.tcl
seed 13
addNet cu
addGroup in 3 INPUT
addGroup hid 4
addGroup out 2 OUTPUT LINEAR
connectGroups in hid
puts "R <[connectUnits {in:0 in:2} {out:1} -mean 0.2 -range 0.3]>"
puts "R <[connectUnits hid:1 {out:0 out:1}]>"
connectUnits {hid:3 hid:2} out:0
connectUnits hid:0 out:1 -range 0.1
connectUnits in:1 out:1
puts "N [getObj numLinks] [getObj out.unit(0).numIncoming] [getObj out.unit(1).numIncoming]"
puts "C [catch {connectUnits hid:1 out:0} msg] [string match {*hid:1 is already connected to out:0*} $msg]"
printWeights
loadExamples reg.ex -s data
setObj learningRate 0.05
setObj reportInterval 5
steepest 5
printDeltas
test
puts "T [getObj error]"
puts "R <[disconnectGroups in hid]>"
puts "N [getObj numLinks] [getObj hid.unit(0).numIncoming]"
connectGroups in hid -range 0.5
disconnectGroups hid out -type hid
puts "N [getObj numLinks] [getObj out.unit(0).numIncoming] [getObj out.unit(1).numIncoming]"
printWeights
momentum 5
printDeltas
test
puts "T [getObj error]"
exit
