# made up for pdpsim's tests: CONTINUOUS events, some without targets
max:3;
name:a
I:1 0 T:- - ;
name:b
I:0 1 T:1 0;
name:c
[max:2] I:1 1 T:- -;
name:d
I:0 0 T:0 1;
