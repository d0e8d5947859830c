# A CONTINUOUS network with two output groups (cross-entropy and sum-squared): the
# network error and each group's own error in test and after training.
source common.tcl
seed 21
addNet ct -i 3 -t 3 CONTINUOUS
addGroup in 3 INPUT
addGroup hid 4
addGroup out 2 OUTPUT
addGroup out2 2 OUTPUT SUM_SQUARED
connectGroups in hid
connectGroups hid out -bidirectional
connectGroups hid out2
loadExamples ct_two_outputs.ex -s s
setObj testGroupCrit 0.0
test
puts "A [getObj error] [getObj out.error] [getObj out2.error] [getObj out.output(0)] [getObj out2.output(1)]"
train 3
test
puts "B [getObj error] [getObj out.error] [getObj out2.error] [getObj out.output(0)] [getObj out2.output(1)]"
exit
