# Kernel bytes per registered 4 KiB page by driver and layout, stock against
# phyr, log scale, every bar labelled with its value (a 0 is drawn at the
# axis floor and labelled "0").  Called by bench/host-lib.sh with datafile
# and outfile set; datafile lines: DRIVER LAYOUT STOCK PHYR (B/page).
set terminal png size 1000,560 noenhanced
set output outfile
set title "Kernel memory per registered 4 KiB page (ibv_reg_mr)"
set ylabel "bytes per page (log scale)"
set logscale y
floor = 0.0005
set yrange [floor:200]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
set grid ytics
set xtics rotate by -30
bar(v) = (v != v) ? NaN : (v < floor ? floor : v)
txt(v) = (v != v) ? "n/a" : (v == 0 ? "0" : (v < 10 ? sprintf("%.3f", v) : sprintf("%.2f", v)))
plot datafile using (bar($3)):xtic(sprintf("%s %s", strcol(1), strcol(2))) title "stock 6.12", \
     '' using (bar($4)) title "phyr", \
     '' using ($0 - 1.0 / 6):(bar($3) * 1.3):(txt($3)) with labels font ",9" notitle, \
     '' using ($0 + 1.0 / 6):(bar($4) * 1.3):(txt($4)) with labels font ",9" notitle
