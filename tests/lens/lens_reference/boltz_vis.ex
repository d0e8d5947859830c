max: 2.0
grace: 1.0
;
name: p1
I: 1 - 0 - 1 0 T: 1 0 0 1 1 0
;
name: p2
I: - 1 - 1 0 - T: 0 1 1 1 0 0
;
name: p3
I: 0 0 1 - - 1 T: 0 0 1 0 1 1
;
