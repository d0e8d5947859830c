
max:2
grace:0.5;
name:{a}
2
[1 max:1.5 grace:1]
[0]
I: 1 0 0
[1]
I: 0 1 0
[0]
T: 1 0 0
[1]
T: 0 1 -nan
;
name:{b}
[0 max:3 min:1]
I: 0 0 1
T: 0.2 0.9 0.1
;
name:{c}
2
[0]
I: 0 1 1
[1]
I: 1 1 0
[0]
T: 1 0 1
[1]
T: 0 1 0
;
