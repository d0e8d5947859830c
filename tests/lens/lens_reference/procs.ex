proc: {set ::setProcRan 1; puts "SETPROC"}
defI: 0
;
name: s1
proc: {puts "EXPROC [getObj currentExample.name] [getObj input.unit(0).externalInput]"; setObj hidden.gain 1.5}
3
[0] I: 1 0 0  T: 0 1 0
[1 proc: {setObj output.unit(0).target 0.25; puts "EVPROC s1 1 [getObj output.unit(2).target]"}] I: 0 1 0  T: 0 0 1
[2] I: 0 0 1  T: 1 0 0
;
name: s2
proc: {setObj hidden.gain 1.0}
2
[0 proc: {setObj input.unit(1).externalInput 0.5}] I: 0 0 1  T: 0 1 0
[1] I: 0 1 0  T: 1 0 0
;
name: s3
4
[0] I: 0 1 0  T: 0 0 1
[1] I: 0 0 1  T: 0.8 0.1 0.1
[2 proc: {puts "EVPROC s3 2 [getObj currentTick]"; setObj output.unit(1).target -}] I: 0 1 0  T: 1 0 0
[3] I: 1 0 0  T: 0 0 1
;
