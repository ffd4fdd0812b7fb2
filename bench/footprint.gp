# Kernel bytes per registered 4 KiB page by layout, stock against phyr, log
# scale.  Called by bench/run.sh with datafile and outfile set.
set terminal png size 800,500 noenhanced
set output outfile
set title "Kernel memory per registered 4 KiB page (ibv_reg_mr on rxe)"
set ylabel "bytes per page (log scale)"
set logscale y
set yrange [0.001:100]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
plot datafile using 2:xtic(1) title "stock 6.12", '' using 3 title "phyr"
