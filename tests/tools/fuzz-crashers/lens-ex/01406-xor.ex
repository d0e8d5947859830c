;
name:00
;
name:01
I: {input} 1
T: {output} *
;
name:10
99999I: {input} 0
T: {output} *
;
name:11
I: {input} *
;
