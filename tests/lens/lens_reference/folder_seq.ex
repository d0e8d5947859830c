# made up for pdpsim's tests: sequences for an SRBPTT network, events of several ticks
max:3;
name:s0
2
[0] I: 1 0 0 T: 0 1 0
[1 max:2] I: 0 1 0 T: 1 0 0
;
name:s1
3
[0] I: 0 0 1 T: 0 0 1
[1] I: 1 0 0 T: 1 0 0
[2 max:1] I: 0 1 0 T: 0 1 0
;
name:s2
[0 max:4 min:1] I: 0 1 0 T: 0.2 0.8 0.1
;
