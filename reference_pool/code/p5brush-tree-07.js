// A tall oak tree in a meadow.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#ffffff');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fill('#3a7a2a', 200);
  brush.fillBleed(0.3);
  brush.circle(220, -240, 120);
  brush.circle(260, -180, 100);
  brush.fill('#6b4a30', 220);
  brush.rect(215, -140, 40, 140);
  brush.fill('#9ac060', 160);
  brush.rect(-256, 230, 512, 26);
}
