# Entry points the way old compilers and hand-written assembly leave them:
# untyped global symbols, a section with no symbol at all, a call from one
# entry point to the other, and a call to memset, which old compilers left
# undefined.
	.section	xdp_prog,"ax",@progbits
	.globl	first
first:
	r0 = 2
	call second
	call memset
	exit
	.globl	second
second:
	r0 = 1
	r0 += 1
	exit

	.section	"2/7","ax",@progbits
	r0 = 0
	exit

	.section	license,"aw",@progbits
	.asciz	"GPL"
