# pdpsim test: networks of Lens's Examples/ scripts (made up for pdpsim): an SRBPTT network
# whose later group sends back to an earlier one, with events of several ticks; a CONTINUOUS
# network whose INPUT group has a net input, SOFT_CLAMP and IN_INTEGR and receives links; an
# interactive-activation network (INCR_CLAMP, INTERACT_INTEGR, connectUnits, deleteGroups bias).
source common.tcl
seed 11
addNet rec -i 5 SRBPTT 3 4 ELMAN 2 4 3
connectGroups hidden2 hidden
loadExamples folder_seq.ex -s seq
test
train 3
test
printWeights
doExample 1
puts "rec [getObj ticksOnExample] [getObj output:0.output] [getObj hidden:0.output]"

seed 12
addNet onoff -i 3 -t 3 CONTINUOUS
addGroup input 2 INPUT DOT_PRODUCT SOFT_CLAMP BIASED IN_INTEGR
addGroup hidden 4 IN_INTEGR
addGroup output 2 OUTPUT IN_INTEGR
connectGroups input hidden -bi
connectGroups hidden output -bi
loadExamples folder_miss.ex -s onoff
setObj clampStrength 0.8
test
train 3
test
printWeights
doExample 0
puts "onoff [getObj input:0.output] [getObj input:1.input] [getObj hidden:0.output]"

seed 13
addNet ia -i 4 -t 5 CONTINUOUS
deleteGroups bias
foreach {grp n} {a 3 b 2 c 2} {
  addGroup $grp $n INPUT DOT_PRODUCT INCR_CLAMP INTERACT_INTEGR
  setObj $grp.maxOutput 1.0
  setObj $grp.initOutput 0.0
  setObj $grp.minOutput -0.2
  setObj $grp.clampStrength 3
  connectGroups $grp $grp -m -1 -r 0 -t inhib
  repeat u $n {disconnectUnits $grp:$u $grp:$u}
}
setObj a:0.name ann
foreach {x y} {ann b:0 ann c:1 a:1 b:1 a:1 c:0 a:2 b:0 a:2 c:1} {
  connectUnits $x $y -m 1 -r 0 -t excit
  connectUnits $y $x -m 1 -r 0 -t excit
}
loadExamples "| echo \"max:2; 2 i:{a} 0 i:{b} 1; i:{c} 1;\"" -s ia
test
for {set u 0} {$u < 3} {incr u} {puts "ia a:$u [getObj a.unit($u).output] [getObj a.unit($u).input]"}
puts "ia [getObj b:0.output] [getObj b:1.output] [getObj c:0.output] [getObj c:1.output] [getObj ann.output]"
puts "links [getObj numLinks] [getObj b:1.incoming(1).weight]"

# a grace period on the SRBPTT network
useNet rec
setObj seq.graceTime 1
test
train 2
test
puts "grace [getObj error] [getObj output:0.output] [getObj hidden:1.incoming(2).weight]"
exit
